// Public API of the local IdP.
export { startLocalIdp, STORE_FILE, type LocalIdp, type LocalIdpOptions } from './start-local-idp.js';
export { localUsers, findLocalUser, type LocalUser } from './local-users.js';
export { readLocalIdpState, STATE_FILE, type ClientCredentials, type LocalIdpState } from './local-idp-state.js';
export { localIdpRoutes } from './create-provider.js';
