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

/** The web app's pages: templates/web/*.hbs compiled beside the document partials, with the same rules. */
export interface PageTemplates {
  /** Renders templates/web/<name>.hbs. */
  render(name: string, view: unknown): string;
}

/**
 * Loads templates/web/*.hbs into one isolated instance that also holds the document partials
 * (templates/partials), so a report page in the browser goes through the same `report` partial as the PDF.
 * Files named `_x.hbs` are partials of the pages.
 */
export function loadPageTemplates(dir: string = defaultTemplatesDir()): PageTemplates {
  const hb = Handlebars.create();
  const pages = new Map<string, HandlebarsTemplateDelegate>();
  const webDir = path.join(dir, 'web');
  for (const f of fs.readdirSync(path.join(dir, 'partials'))) {
    if (f.endsWith('.hbs')) hb.registerPartial(f.slice(0, -4), hb.compile(fs.readFileSync(path.join(dir, 'partials', f), 'utf8'), COMPILE));
  }
  for (const f of fs.readdirSync(webDir)) {
    if (!f.endsWith('.hbs')) continue;
    const t = hb.compile(fs.readFileSync(path.join(webDir, f), 'utf8'), COMPILE);
    if (f.startsWith('_')) hb.registerPartial(f.slice(1, -4), t);
    else pages.set(f.slice(0, -4), t);
  }
  return {
    render(name, view) {
      const t = pages.get(name);
      if (!t) throw new AppError(`Template ${path.join(webDir, `${name}.hbs`)} does not exist.`, 'RENDER');
      return t(view, RUNTIME);
    },
  };
}

/** HTML-escapes a string with the same rules as the templates (for the PDF footer, built outside them). */
export function escapeHtml(s: string): string {
  return Handlebars.Utils.escapeExpression(s);
}
