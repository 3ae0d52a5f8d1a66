import type { Renderer } from './types.js';
export const renderCompose: Renderer = () => [];
