import type { Stage } from '../labels.ts';
import type { StageLook } from './stage.ts';
import { battlefield, finaldest } from './space.ts';
import { dreamland, yoshis } from './green.ts';

export const STAGE_LOOKS: Record<Stage, StageLook> = { battlefield, finaldest, dreamland, yoshis };
