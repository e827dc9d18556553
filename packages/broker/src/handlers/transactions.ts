/** Transactions are refused for now; this is the one line every refusal logs. */
export const TRANSACTIONS_UNSUPPORTED = 'transactions are not supported by the embedded broker; use an idempotent (non-transactional) producer';
