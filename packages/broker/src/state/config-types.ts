/** Kafka's ConfigSource (DescribeConfigs v1+), in precedence order from most to least specific. */
export const ConfigSource = {
  Unknown: 0,
  DynamicTopic: 1,
  DynamicBroker: 2,
  DynamicDefaultBroker: 3,
  StaticBroker: 4,
  Default: 5,
} as const;
export type ConfigSource = (typeof ConfigSource)[keyof typeof ConfigSource];

/** Kafka's ConfigType (DescribeConfigs v3+). */
export const ConfigType = { Boolean: 1, String: 2, Int: 3, Short: 4, Long: 5, Double: 6, List: 7, Class: 8, Password: 9 } as const;
export type ConfigType = (typeof ConfigType)[keyof typeof ConfigType];

/** A value's problem in words, or null when Kafka would accept it. */
export type ConfigValidator = (value: string) => string | null;

const INT_MAX = 2147483647n;
const INT_MIN = -2147483648n;
const LONG_MAX = 9223372036854775807n;
const LONG_MIN = -9223372036854775808n;

function integerIn(min: bigint, max: bigint, what: string): ConfigValidator {
  return (v) => {
    if (!/^-?\d+$/.test(v.trim())) return `must be ${what}`;
    const n = BigInt(v.trim());
    return n < min || n > max ? `must be ${what}` : null;
  };
}

/** An int (32 bits) at least `min`. */
export const intAtLeast = (min: number): ConfigValidator => integerIn(BigInt(min), INT_MAX, `an int of at least ${min}`);
/** A long (64 bits) at least `min`. */
export const longAtLeast = (min: number): ConfigValidator => integerIn(BigInt(min), LONG_MAX, `a long of at least ${min}`);
export const anyLong: ConfigValidator = integerIn(LONG_MIN, LONG_MAX, 'a long');
export const anyInt: ConfigValidator = integerIn(INT_MIN, INT_MAX, 'an int');

export const isBoolean: ConfigValidator = (v) => (/^(true|false)$/i.test(v.trim()) ? null : "must be 'true' or 'false'");

export const oneOf =
  (...allowed: string[]): ConfigValidator =>
  (v) =>
    allowed.includes(v.trim()) ? null : `must be one of ${allowed.join(', ')}`;

export const listOf =
  (...allowed: string[]): ConfigValidator =>
  (v) => {
    const items = v.split(',').map((s) => s.trim());
    return items.length > 0 && items.every((i) => allowed.includes(i)) ? null : `must be a list of ${allowed.join(', ')}`;
  };

export const doubleBetween =
  (min: number, max: number): ConfigValidator =>
  (v) => {
    const n = Number(v.trim());
    return v.trim() !== '' && Number.isFinite(n) && n >= min && n <= max ? null : `must be a number between ${min} and ${max}`;
  };

export const anyString: ConfigValidator = () => null;
