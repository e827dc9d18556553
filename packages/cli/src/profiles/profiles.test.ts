import { UsageError } from '../options';
import { checkPrivateMode, chooseProfile, configDir, overlayProfile, parseAssignments, parseProfilesDocument, profileValues, showableValues, type ProfilesDocument } from './profiles';

const DOC: ProfilesDocument = {
  current: 'staging',
  profiles: {
    staging: { KAFKA_BROKERS: 'staging:9092' },
    prod: { KAFKA_BROKERS: 'prod:9093', KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'pw' },
  },
};

describe('profiles', () => {
  it('lives under XDG_CONFIG_HOME, else ~/.config', () => {
    expect(configDir({ XDG_CONFIG_HOME: '/x/conf/' }, '/home/u')).toBe('/x/conf/agentmesh');
    expect(configDir({}, '/home/u')).toBe('/home/u/.config/agentmesh');
  });

  it('is chosen by --profile, then MESH_PROFILE, then the current one', () => {
    expect(chooseProfile('prod', { MESH_PROFILE: 'staging' }, DOC)).toEqual({ name: 'prod', from: '--profile' });
    expect(chooseProfile(undefined, { MESH_PROFILE: 'prod' }, DOC)).toEqual({ name: 'prod', from: 'MESH_PROFILE' });
    expect(chooseProfile(undefined, {}, DOC)).toEqual({ name: 'staging', from: 'mesh profile use' });
    expect(chooseProfile(undefined, {}, { profiles: {} })).toBeUndefined();
  });

  it('refuses an unknown name from the flag or the variable, in one line', () => {
    expect(() => profileValues({ name: 'nope', from: 'MESH_PROFILE' }, DOC)).toThrow(new UsageError("no profile 'nope' (from MESH_PROFILE); mesh profile ls lists them"));
    expect(profileValues({ name: 'gone', from: 'mesh profile use' }, DOC)).toEqual({});
  });

  it('fills in under the environment: flag > environment > profile > default', () => {
    const profile = DOC.profiles.prod!;
    // Nothing in the environment: all of the profile.
    expect(overlayProfile({}, profile)).toEqual(profile);
    // The environment's brokers win; the rest still comes from the profile.
    expect(overlayProfile({ KAFKA_BROKERS: 'env:9092' }, profile)).toEqual({ KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'pw' });
    // A secret set in the environment in either form wins over the profile's in either form (never both set at once).
    expect(overlayProfile({ KAFKA_SASL_PASSWORD_FILE: '/run/secrets/pw' }, profile)).not.toHaveProperty('KAFKA_SASL_PASSWORD');
    expect(overlayProfile({ KAFKA_SASL_PASSWORD: 'env' }, { KAFKA_SASL_PASSWORD_FILE: '/p' })).toEqual({});
    // An empty variable counts as unset.
    expect(overlayProfile({ KAFKA_BROKERS: ' ' }, profile)).toHaveProperty('KAFKA_BROKERS', 'prod:9093');
  });

  it('takes NAME=VALUE settings of known variables only', () => {
    expect(parseAssignments(['KAFKA_BROKERS=a:1', 'KAFKA_SASL_PASSWORD_FILE=/p', 'SCHEMA_REGISTRY_TOKEN=a=b'])).toEqual({
      KAFKA_BROKERS: 'a:1',
      KAFKA_SASL_PASSWORD_FILE: '/p',
      SCHEMA_REGISTRY_TOKEN: 'a=b',
    });
    expect(() => parseAssignments(['KAFKA_BROKER=a:1'])).toThrow('KAFKA_BROKER is not a connection variable');
    expect(() => parseAssignments(['KAFKA_BROKERS'])).toThrow("'KAFKA_BROKERS' is not NAME=VALUE");
  });

  it('shows every setting but no secret', () => {
    const shown = showableValues({
      ...DOC.profiles.prod!,
      KAFKA_SASL_PASSWORD_FILE: '/run/pw',
      REDIS_URL: 'rediss://u:redispw@r:6380',
      SCHEMA_REGISTRY_TOKEN: 'tok',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=k',
    });
    const text = shown.map(([k, v]) => `${k}=${v}`).join('\n');
    for (const secret of ['=pw', 'redispw', 'tok', 'api-key=k']) expect(text).not.toContain(secret);
    expect(Object.fromEntries(shown)).toMatchObject({ KAFKA_SASL_PASSWORD: '***', KAFKA_SASL_PASSWORD_FILE: '/run/pw', KAFKA_SASL_USERNAME: 'svc', REDIS_URL: 'rediss://u:***@r:6380' });
  });

  it('refuses a file others can read or write', () => {
    expect(() => checkPrivateMode(0o100600, '/c/profiles.json')).not.toThrow();
    expect(() => checkPrivateMode(0o100644, '/c/profiles.json')).toThrow(
      new UsageError('/c/profiles.json is readable or writable by others (mode 0644); it may hold passwords: run chmod 600 /c/profiles.json'),
    );
    expect(() => checkPrivateMode(0o100620, '/c/p')).toThrow(/mode 0620/);
  });

  it('refuses a file that is not a profiles document', () => {
    expect(() => parseProfilesDocument('{', '/c/p')).toThrow('/c/p is not JSON');
    expect(() => parseProfilesDocument('{"profiles":[]}', '/c/p')).toThrow('/c/p has no "profiles" object');
    expect(() => parseProfilesDocument('{"profiles":{"a":{"K":1}}}', '/c/p')).toThrow('/c/p: profile a is not an object of strings');
    expect(parseProfilesDocument(JSON.stringify(DOC), '/c/p')).toEqual(DOC);
  });
});
