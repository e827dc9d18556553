import { InvalidArgumentError } from 'commander';
import { ReplayError, StoreCheckError } from '../commands/dlq/replay';
import { DlqKafkaError } from '../commands/dlq/topics';
import { SagaCommandError } from '../commands/saga/common';
import { TraceCommandError } from '../commands/trace';
import { UsageError } from '../options';
import { HttpError } from './http';

/** The HTTP status and the one line a failed API call answers with; unknown failures are 500s with their message. */
export function errorAnswer(error: unknown): { status: number; error: string } {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
  if (error instanceof HttpError) return { status: error.status, error: message };
  if (error instanceof InvalidArgumentError) return { status: 400, error: message };
  if (error instanceof UsageError) return { status: /^no /.test(message) ? 404 : 400, error: message };
  if (error instanceof SagaCommandError) return { status: /^no saga/.test(message) ? 404 : /^saga store at /.test(message) ? 503 : 409, error: message };
  if (error instanceof StoreCheckError) return { status: 409, error: message };
  if (error instanceof DlqKafkaError || error instanceof ReplayError || error instanceof TraceCommandError) return { status: 503, error: message };
  return { status: 500, error: message };
}
