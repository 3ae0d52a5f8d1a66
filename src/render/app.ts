import type { Renderer } from './types.js';
export const renderApp: Renderer = () => [];
