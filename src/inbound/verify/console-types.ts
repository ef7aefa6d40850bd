/**
 * The source types the console's create form offers with one secret field (`config.secret`); the
 * console imports this list, and verify/index.test.ts checks each is a server type whose config
 * is that one secret, so the form cannot offer a type the API refuses.
 */
export const SECRET_SOURCE_TYPES: readonly string[] = ['github', 'stripe', 'svix', 'shopify', 'slack', 'clerk', 'resend', 'zoom'];
