import type { Renderer } from './types.js';
export const renderDocs: Renderer = () => [];
