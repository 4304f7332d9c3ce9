/**
 * People's Markdown as safe HTML. The renderer is markdown-it: its cost grows
 * linearly with its input also on pathological text (`*a_` or `[` repeated,
 * deep nesting), where marked's emphasis handling was quadratic (12 KB of
 * `*a_` took 2.4 s). It still costs about 2 ms per 1,000 characters at worst,
 * so it runs in a worker thread (copy-renderer.ts), never on the event loop.
 *
 * Raw HTML in the notes is shown as text, only web and mail links become
 * links, and images show their description, so a summary cannot carry a
 * script, a tracking pixel or a javascript: link into a mail client or the app.
 */
import MarkdownIt from 'markdown-it';

const allowedLink = (href: string) => /^(https?:|mailto:)/i.test(href);

function safeMarkdown() {
	const md = new MarkdownIt('default', { html: false, linkify: false, typographer: false });
	// Every link is parsed as a link, so a refused one can be shown as its text
	// alone (markdown-it's own check would leave `[x](javascript:…)` visible).
	md.validateLink = () => true;
	const rules = md.renderer.rules;
	rules.link_open = (tokens, idx, options, _env, self) => {
		if (allowedLink(String(tokens[idx]!.attrGet('href') ?? ''))) return self.renderToken(tokens, idx, options);
		// Links do not nest, so the next close is this link's (scanning on from
		// here keeps the whole pass linear).
		for (let i = idx + 1; i < tokens.length; i++) {
			if (tokens[i]!.type !== 'link_close') continue;
			tokens[i]!.meta = { refused: true };
			break;
		}
		return '';
	};
	rules.link_close = (tokens, idx, options, _env, self) => (tokens[idx]!.meta?.refused ? '' : self.renderToken(tokens, idx, options));
	rules.image = (tokens, idx, options, env, self) => md.utils.escapeHtml(self.renderInlineAsText(tokens[idx]!.children ?? [], options, env));
	return md;
}

const md = safeMarkdown();

export function markdownToHtml(markdown: string): string {
	return md.render(markdown);
}

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The fallback when the renderer cannot answer in time: paragraphs of escaped text, in one linear pass. */
export function plainTextHtml(markdown: string): string {
	return markdown
		.split(/\n\s*\n/)
		.filter((p) => p.trim() !== '')
		.map((p) => `<p>${escapeHtml(p.trim()).replace(/\n/g, '<br>\n')}</p>\n`)
		.join('');
}
