import type { Renderer } from './types.js';
export const renderRecord: Renderer = () => [];
