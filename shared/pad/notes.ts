/**
 * Rich-text notes as plain text and Markdown, for the session summary and
 * for tests. The notes are a Y.XmlFragment in Tiptap's (ProseMirror's)
 * schema: paragraphs, headings, bullet/ordered lists, bold, italic, links.
 */
import * as Y from 'yjs';

type Mark = Record<string, unknown>;

function inline(text: Y.XmlText, markdown: boolean): string {
	const delta = text.toDelta() as Array<{ insert: unknown; attributes?: Record<string, Mark> }>;
	return delta
		.map(({ insert, attributes }) => {
			if (typeof insert !== 'string') return '';
			if (!markdown || !attributes) return insert;
			let s = insert;
			if (attributes.code) s = `\`${s}\``;
			if (attributes.italic) s = `*${s}*`;
			if (attributes.bold) s = `**${s}**`;
			const href = attributes.link?.href;
			if (typeof href === 'string') s = `[${s}](${href})`;
			return s;
		})
		.join('');
}

function inlineOf(el: Y.XmlElement | Y.XmlFragment, markdown: boolean): string {
	return el
		.toArray()
		.map((c) => {
			if (c instanceof Y.XmlText) return inline(c, markdown);
			if (c instanceof Y.XmlElement && c.nodeName === 'hardBreak') return '\n';
			if (c instanceof Y.XmlElement) return inlineOf(c, markdown);
			return '';
		})
		.join('');
}

function blocks(node: Y.XmlElement | Y.XmlFragment, markdown: boolean, indent: string): string[] {
	const out: string[] = [];
	for (const child of node.toArray()) {
		if (child instanceof Y.XmlText) {
			out.push(indent + inline(child, markdown));
			continue;
		}
		if (!(child instanceof Y.XmlElement)) continue;
		switch (child.nodeName) {
			case 'heading': {
				const level = Math.min(6, Math.max(1, Number(child.getAttribute('level')) || 1));
				out.push(indent + (markdown ? `${'#'.repeat(level)} ` : '') + inlineOf(child, markdown));
				break;
			}
			case 'bulletList':
			case 'orderedList': {
				let n = 1;
				for (const item of child.toArray()) {
					if (!(item instanceof Y.XmlElement)) continue;
					const bullet = child.nodeName === 'orderedList' ? `${n++}. ` : '- ';
					const [first = '', ...rest] = blocks(item, markdown, '');
					out.push(indent + bullet + first.trimStart(), ...rest.map((l) => indent + '   ' + l));
				}
				break;
			}
			case 'blockquote':
				out.push(...blocks(child, markdown, indent + (markdown ? '> ' : '')));
				break;
			case 'horizontalRule':
				if (markdown) out.push(indent + '---');
				break;
			case 'codeBlock':
				out.push(...(markdown ? [indent + '```', indent + inlineOf(child, false), indent + '```'] : [indent + inlineOf(child, false)]));
				break;
			case 'listItem':
				out.push(...blocks(child, markdown, indent));
				break;
			default:
				out.push(indent + inlineOf(child, markdown));
		}
	}
	return out;
}

/** The notes as plain text, one block per line. */
export function notesText(fragment: Y.XmlFragment): string {
	return blocks(fragment, false, '').join('\n').trim();
}

/** The notes as Markdown (headings, lists, bold, italic, links). */
export function notesMarkdown(fragment: Y.XmlFragment): string {
	return blocks(fragment, true, '').join('\n').trim();
}
