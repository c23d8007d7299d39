// Validation is zod's "mini" API: the same checks and messages as the classic API, but built from functions
// that the bundler keeps only when used. The classic API evaluates every schema class at start-up, about 30 ms
// of each command that reads a provider's answer (issue 10). English messages are opted into here once, as
// the classic API does by default. Import it as a namespace (`import * as z`), which keeps that tree-shaking.
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
