// Every test file runs composed as the CLI is (cli/main.ts): the synthetic game is a frame source.
import { plugInSyntheticGame } from '../../game/source.ts';

plugInSyntheticGame();
