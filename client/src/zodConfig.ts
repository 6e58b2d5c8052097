// Imported first by main.ts, before any schema is built: the hub's Content-Security-Policy allows no eval, and
// zod's JIT probe (`new Function`) would otherwise be reported as a CSP violation on every page load.
import { z } from 'zod';

z.config({ jitless: true });
