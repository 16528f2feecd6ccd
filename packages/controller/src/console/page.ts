/**
 * The console's page, from its template (console/index.html): the template names where the assets
 * and the API are with two placeholders, `{{assetBase}}` and `{{apiBase}}`, which a request fills
 * in, escaped for the attribute they stand in. The template's HTML comments are notes for its
 * readers; they are dropped once, when the template is compiled, and never served.
 */

/** Where the page finds its assets and the API, as the router mounting it knows them. */
export interface ConsolePageOptions {
  /** The URL path the console's assets are served under (`/console`). */
  readonly assetBase: string;
  /** The URL path the controller's API is served under (`''`: at the root, `/aps/2/...`). */
  readonly apiBase: string;
}

/** The page for one request. */
export type ConsolePage = (options: ConsolePageOptions) => string;

type Placeholder = keyof ConsolePageOptions;

const isPlaceholder = (name: string): name is Placeholder => name === 'assetBase' || name === 'apiBase';

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Compiles the template once; an unknown placeholder is a mistake in the template, reported here. */
export function compilePage(template: string): ConsolePage {
  // Each comment goes with its indentation and its line end, leaving no blank line in the page.
  const html = template.replace(/[ \t]*<!--[\s\S]*?-->\n?/g, '');
  // split() with a capturing group: the text at even indexes, the placeholders' names at odd ones.
  const segments = html.split(/\{\{(\w+)\}\}/).map((text, i): string | { readonly name: Placeholder } => {
    if (i % 2 === 0) return text;
    if (!isPlaceholder(text)) throw new Error(`The console's page names an unknown placeholder {{${text}}}`);
    return { name: text };
  });
  return (options) => segments.map((s) => (typeof s === 'string' ? s : escapeAttribute(options[s.name]))).join('');
}
