/** Users, password logins and permission checks. */
export { AccessControl, type AccessControlOptions, type AuthenticatedUser, type PermissionPatterns } from './access-control.js';
export { MemoryUserStore } from './memory-store.js';
export { defaultScryptParams, hashPassword, verifyPassword, needsRehash, type PasswordHash, type ScryptParams } from './password.js';
export { validatePattern, compilePattern, permissionPatternMaxChars } from './permission-pattern.js';
export type { AccessKeyRecord, Permission, PermissionRecord, UserRecord, UserStore } from './types.js';
export {
  accessKeysPerUserMax,
  defaultAccountId,
  generateAccessKey,
  validateAccessKeyId,
  validateAccountId,
  validateSecretAccessKey,
  type AccessKeyInfo,
} from './access-keys.js';
export {
  ScramServer,
  ScramError,
  deriveScramCredential,
  deriveScramCredentials,
  defaultScramIterations,
  scramMechanisms,
  isScramMechanism,
  type ScramCredential,
  type ScramCredentials,
  type ScramMechanism,
} from './scram.js';
