// The label vocabulary shared by the synthetic game, the dataset tools and the models.
// Tokens never contain underscores: they are joined with `_` in frame names.

export const CHARACTERS = ['fox', 'falco', 'marth', 'sheik', 'peach', 'falcon', 'puff', 'samus'] as const;
export const COLORS = ['default', 'red', 'blue', 'green'] as const;
export const STAGES = ['battlefield', 'finaldest', 'dreamland', 'yoshis'] as const;
export const ORIENTATIONS = ['left', 'right'] as const;

export type Character = (typeof CHARACTERS)[number];
export type Color = (typeof COLORS)[number];
export type Stage = (typeof STAGES)[number];
export type Orientation = (typeof ORIENTATIONS)[number];
