/** How each security event of the audit log reads on a person's activity page. */
const LABELS: Record<string, string> = {
	signed_in: 'Signed in',
	sign_in_failed: 'Failed sign-in (wrong password)',
	sign_in_throttled: 'Sign-in paused after too many attempts',
	signed_out: 'Signed out',
	account_created: 'Account created',
	sign_up_attempted: 'Someone tried to sign up with your address',
	email_confirmed: 'Address confirmed',
	confirmation_requested: 'Confirmation link requested',
	password_reset_requested: 'Password reset link requested',
	password_reset: 'Password changed by reset link; every device signed out',
	session_revoked: 'A device was signed out',
	signed_out_everywhere: 'Signed out everywhere',
	role_changed: 'Role in an engagement changed',
	exported: 'Data exported',
	two_factor_enabled: 'Two-factor sign-in turned on',
	two_factor_disabled: 'Two-factor sign-in turned off',
	recovery_code_used: 'A recovery code was used',
	recovery_codes_regenerated: 'New recovery codes made (the old ones stopped working)',
	second_factor_failed: 'Wrong second-factor code',
	passkey_added: 'Passkey added',
	passkey_removed: 'Passkey removed'
};

export function auditLabel(kind: string, detail: Record<string, string> = {}): string {
	const base = LABELS[kind] ?? kind;
	if (kind === 'role_changed' && detail.engagement) return `${base}: ${detail.role ?? ''} in “${detail.engagement}”`;
	if (kind === 'exported' && detail.what) return `${base}: ${detail.what}`;
	if ((kind === 'two_factor_enabled' || kind === 'two_factor_disabled') && detail.method) return `${base} (${detail.method})`;
	if ((kind === 'passkey_added' || kind === 'passkey_removed') && detail.name) return `${base}: “${detail.name}”`;
	if (kind === 'recovery_code_used' && detail.left) return `${base} (${detail.left} left)`;
	return base;
}
