/** Placeholder: replaced by the real renderer. */
import type { Renderer } from './types.js';

export const renderSeccomp: Renderer = () => [];
