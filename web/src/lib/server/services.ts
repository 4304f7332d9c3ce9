/**
 * The web app's one door to the server: routes and hooks import from here,
 * never from $server (eslint enforces it). What is offered is `WebServices`,
 * the few methods routes use.
 */
export { services } from '$server/services.ts';
export type { User, SignInStep, TwoFactorStatus, TotpSetUp } from '$server/services.ts';
