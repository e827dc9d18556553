import { defineApi } from '../api/types';
import {
  type ScramDeletion,
  type ScramUpsertion,
  decodeAlterUserScramCredentialsRequest,
  encodeAlterUserScramCredentialsResponse,
  type AlterUserScramCredentialsRequest,
  type AlterUserScramCredentialsResponse,
} from '../codecs/51-alter-user-scram-credentials';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { clusterAllowed } from '../security/access';
import { AclOperation } from '../security/acl';
import type { ScramCredentialStore } from '../security/credential-store';
import { credentialFromSaltedPassword, MAX_SCRAM_ITERATIONS, SCRAM_MECHANISMS, scramMechanismByCode } from '../security/scram';

type Refusal = { errorCode: ErrorCode; errorMessage: string };

/** Checks one user's alterations; Kafka applies a user's changes all or none. */
function checkUser(user: string, req: AlterUserScramCredentialsRequest, store: ScramCredentialStore): Refusal | null {
  if (user === '') return { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'the user name is empty' };
  const touched = new Set<number>();
  const changes: Array<ScramDeletion | ScramUpsertion> = [...req.deletions, ...req.upsertions];
  for (const change of changes.filter((c) => c.name === user)) {
    if (touched.has(change.mechanism)) return { errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: `a credential of '${user}' is altered twice in one request` };
    touched.add(change.mechanism);
    const mechanism = scramMechanismByCode(change.mechanism);
    if (!mechanism) return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, errorMessage: `unknown SCRAM mechanism code ${change.mechanism}` };
    if ('iterations' in change) {
      const min = SCRAM_MECHANISMS[mechanism].minIterations;
      if (change.iterations < min || change.iterations > MAX_SCRAM_ITERATIONS)
        return { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: `iterations must be from ${min} to ${MAX_SCRAM_ITERATIONS}` };
      if (change.salt.length === 0 || change.saltedPassword.length === 0) return { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'the salt and the salted password must not be empty' };
    } else if (!store.get(user, mechanism)) {
      return { errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: `user '${user}' has no ${mechanism} credential to delete` };
    }
  }
  return null;
}

export const alterUserScramCredentialsApi = defineApi<AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse>({
  key: ApiKey.AlterUserScramCredentials,
  name: 'AlterUserScramCredentials',
  minVersion: 0,
  maxVersion: 0,
  flexibleFrom: 0,
  decode: decodeAlterUserScramCredentialsRequest,
  encode: encodeAlterUserScramCredentialsResponse,
  handle: (req, ctx) => {
    const store = ctx.security.credentials;
    const users = [...new Set([...req.deletions, ...req.upsertions].map((c) => c.name))];
    const mayAlter = clusterAllowed(ctx, AclOperation.ALTER);
    const response = {
      results: users.map((user) => {
        if (!mayAlter) return { user, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'ALTER on the cluster is not allowed' };
        const refusal = checkUser(user, req, store);
        if (refusal) return { user, ...refusal };
        for (const d of req.deletions.filter((c) => c.name === user)) store.delete(user, scramMechanismByCode(d.mechanism)!);
        for (const u of req.upsertions.filter((c) => c.name === user)) {
          const mechanism = scramMechanismByCode(u.mechanism)!;
          store.upsert(user, mechanism, credentialFromSaltedPassword(SCRAM_MECHANISMS[mechanism].hash, u.salt, u.iterations, u.saltedPassword));
        }
        ctx.log.info({ principal: ctx.sasl.principal, user }, 'SCRAM credentials altered');
        return { user, errorCode: ErrorCode.NONE, errorMessage: null };
      }),
    };
    ctx.security.changed();
    return response;
  },
});
