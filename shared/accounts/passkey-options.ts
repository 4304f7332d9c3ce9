/**
 * What the server sends the page for WebAuthn calls and what the page sends
 * back, as JSON: binary values travel as base64url strings.
 */
export interface PasskeyCreationOptions {
	challenge: string;
	rp: { id: string; name: string };
	user: { id: string; name: string; displayName: string };
	excludeCredentials: string[];
}

export interface PasskeyRequestOptions {
	challenge: string;
	rpId: string;
	allowCredentials: string[];
}

export interface PasskeyRegistration {
	name: string;
	clientDataJSON: string;
	attestationObject: string;
}

export interface PasskeyAssertion {
	credentialId: string;
	clientDataJSON: string;
	authenticatorData: string;
	signature: string;
}

/** COSE algorithms the server verifies: ES256, then RS256. */
export const PASSKEY_ALGORITHMS = [-7, -257] as const;
