// Lint rules, run by `npm run check`. Besides the recommended sets they hold
// the project's boundaries: the web app reaches the server only through
// web/src/lib/server, browser code never imports server code (not even
// types), shared/ stands alone, and each table is queried only by the
// feature folder that owns it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import svelteConfig from './svelte.config.js';

/** Which feature folder owns which tables; the others go through its index.ts. */
const tableOwners = {
	auth: ['users', 'auth_sessions', 'account_tokens', 'audit_events', 'totp_credentials', 'recovery_codes', 'passkeys', 'pending_sign_ins'],
	engagements: ['engagements', 'engagement_members', 'coaching_sessions', 'invites'],
	pad: ['pad_updates', 'pad_snapshots'],
	prompts: ['custom_prompts', 'prompt_favourites', 'session_prompts_asked'],
	summary: ['summaries', 'summary_renderings', 'session_endings'],
	contracts: ['contracts', 'contract_acceptances'],
	sponsors: ['sponsor_links', 'engagement_sponsors', 'sponsor_updates'],
	referrals: ['referrals'],
	calendar: ['calendar_feeds'],
	proposals: ['proposals', 'scoping_links'],
	schemes: ['schemes', 'scheme_coordinators', 'scheme_invites', 'scheme_volunteers', 'scheme_requests', 'scheme_matches', 'scheme_feedback'],
	mail: ['mail_jobs'],
	scheduler: ['scheduled_jobs'],
	rhythm: ['reminder_preferences', 'session_preparations', 'action_updates'],
	feedback: ['session_feedback'],
	progress: ['goal_ratings'],
	practice: ['practice_engagements', 'supervision_notes'],
	closing: ['engagement_closings', 'closing_evaluations', 'engagement_reports', 'closing_follow_ups'],
	yourdata: ['engagement_erasures'],
	store: ['_migrations']
};

const queryMethods = 'selectFrom|insertInto|updateTable|deleteFrom|innerJoin|leftJoin|rightJoin|fullJoin|with';

/** A query naming one of `tables` (optionally aliased: 'users as u'). */
function tableQuery(tables) {
	const names = tables.join('|');
	return `CallExpression[callee.property.name=/^(${queryMethods})$/] > Literal.arguments[value=/^(${names})( as \\w+)?$/]`;
}

function foreignTables(owner) {
	return Object.entries(tableOwners)
		.filter(([feature]) => feature !== owner)
		.flatMap(([, tables]) => tables);
}

const ownTablesOnly = Object.keys(tableOwners).map((feature) => ({
	files: [`server/${feature}/**/*.ts`],
	rules: {
		'no-restricted-syntax': [
			'error',
			{
				selector: tableQuery(foreignTables(feature)),
				message: `This table belongs to another feature; call that feature's index.ts instead.`
			}
		]
	}
}));

const serverFromWeb = {
	group: ['$server', '$server/*', '**/server/*', '!$lib/server', '!$lib/server/*'],
	message: 'The web app reaches the server only through $lib/server (web/src/lib/server).'
};
const serverInBrowser = {
	group: ['$server', '$server/*', '$lib/server', '$lib/server/*', '**/server/*'],
	message: 'Browser code must not import server code, not even types; put shared shapes in shared/.'
};

export default tseslint.config(
	{ ignores: ['build/', '.svelte-kit/', 'node_modules/', 'test-results/', 'data/'] },
	js.configs.recommended,
	...tseslint.configs.recommended,
	...svelte.configs.recommended,
	{
		languageOptions: { globals: { ...globals.node }, ecmaVersion: 'latest', sourceType: 'module' },
		linterOptions: { reportUnusedDisableDirectives: 'error' },
		rules: {
			// The app is served at the root (no kit.paths.base; server/app.ts mounts the
			// handler at /), so resolve() would return every path unchanged.
			'svelte/no-navigation-without-resolve': 'off',
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }]
		}
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts'],
		languageOptions: {
			globals: { ...globals.browser },
			parserOptions: { projectService: false, extraFileExtensions: ['.svelte'], parser: tseslint.parser, svelteConfig }
		}
	},
	{
		files: ['web/src/lib/**', 'web/src/routes/**/*.svelte', 'web/src/hooks.client.ts'],
		ignores: ['web/src/lib/server/**'],
		languageOptions: { globals: { ...globals.browser } },
		rules: { 'no-restricted-imports': ['error', { patterns: [serverInBrowser] }] }
	},
	{
		files: ['web/src/routes/**/*.ts', 'web/src/hooks.server.ts', 'web/src/app.d.ts'],
		rules: { 'no-restricted-imports': ['error', { patterns: [serverFromWeb] }] }
	},
	{
		files: ['shared/**'],
		rules: {
			'no-restricted-imports': ['error', { patterns: [{ group: ['**/server/*', '**/web/*', '$server/*', '$lib/*'], message: 'shared/ is used by both sides and imports neither.' }] }]
		}
	},
	...ownTablesOnly
);
