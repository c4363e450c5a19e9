import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { AppError } from '../errors.js';

/** The compiled templates of one Handlebars instance. */
export interface Templates {
  /** The PDF/standalone HTML document (layout + report partials). */
  report(view: unknown): string;
  /** The table-based email body. */
  email(view: unknown): string;
  /** The print CSS, inlined into the document. */
  css: string;
}

/** Finds the `templates/` folder from this module, both from `src/render` and from `dist/src/render`. */
export function defaultTemplatesDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'templates');
    if (fs.existsSync(path.join(candidate, 'layout.hbs'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new AppError('The templates folder (templates/layout.hbs) was not found next to the program.', 'RENDER');
}

// Prototype access stays off (the Handlebars default since 4.6, pinned here so an upgrade cannot change it):
// a report cell reading "{{constructor}}" is text in the data, and the templates themselves never walk prototypes.
const RUNTIME: Handlebars.RuntimeOptions = {
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
  allowCallsToHelperMissing: false,
};
// strict: a field missing from a view is a bug in the view builder, not an empty cell.
const COMPILE: CompileOptions = { strict: true, noEscape: false, preventIndent: true };

/** Loads and compiles the templates into a fresh, isolated Handlebars instance (no global helpers or partials). */
export function loadTemplates(dir: string = defaultTemplatesDir()): Templates {
  const hb = Handlebars.create();
  const read = (name: string): string => {
    try {
      return fs.readFileSync(path.join(dir, name), 'utf8');
    } catch (e) {
      throw new AppError(`Template ${path.join(dir, name)} could not be read.`, 'RENDER', { cause: e });
    }
  };
  for (const f of fs.readdirSync(path.join(dir, 'partials'))) {
    if (f.endsWith('.hbs')) hb.registerPartial(f.slice(0, -4), hb.compile(read(path.join('partials', f)), COMPILE));
  }
  const layout = hb.compile(read('layout.hbs'), COMPILE);
  const email = hb.compile(read('email.hbs'), COMPILE);
  const css = read('report.css');
  return {
    report: (view) => layout(view, RUNTIME),
    email: (view) => email(view, RUNTIME),
    css,
  };
}

type CompileOptions = Parameters<typeof Handlebars.compile>[1];

/** HTML-escapes a string with the same rules as the templates (for the PDF footer, built outside them). */
export function escapeHtml(s: string): string {
  return Handlebars.Utils.escapeExpression(s);
}
