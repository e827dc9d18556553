import { isLegalTopicName, retryTierOf } from './topics';

describe('isLegalTopicName', () => {
  it("follows Kafka's rule: 1-249 of letters, digits, '.', '_' and '-', but not '.' or '..'", () => {
    for (const legal of ['invoices.received', 'a', 'A_b-1.x', 'x'.repeat(249)]) expect(isLegalTopicName(legal)).toBe(true);
    for (const illegal of ['', '.', '..', 'has space', 'bang!', 'ünï', 'x'.repeat(250), 'a/b']) expect(isLegalTopicName(illegal)).toBe(false);
  });
});

describe('retryTierOf', () => {
  it("reads the tier of the agent's own retry topics only", () => {
    expect(retryTierOf('ocr', 'ocr.retry.0')).toBe(0);
    expect(retryTierOf('ocr', 'ocr.retry.2')).toBe(2);
    expect(retryTierOf('ocr', 'invoices.received')).toBeUndefined();
    expect(retryTierOf('ocr', 'other.retry.0')).toBeUndefined();
    expect(retryTierOf('ocr', 'ocr.retry.x')).toBeUndefined();
  });
});
