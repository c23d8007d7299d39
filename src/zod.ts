// Validation is zod's "mini" API: the same checks and messages as the classic API, but built from functions
// that a bundler keeps only when used. The classic API evaluates every schema class at start-up, about 30 ms
// of each command that reads a provider's answer (issue 10). English messages are opted into here once, as
// the classic API does by default.
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export { z };
