import type { Renderer } from './types.js';
export const renderDockerfile: Renderer = () => [];
export const renderDockerignore: Renderer = () => [];
