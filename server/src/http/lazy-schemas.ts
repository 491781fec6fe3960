/**
 * Route schemas compiled on first use instead of at start-up.
 *
 * Fastify compiles every route's request validators (Ajv) and response serializers
 * (fast-json-stringify) before it listens: with some 250 routes that was about a
 * fifth of the process's start-up (issue 17, part 4), and every test file that
 * builds an app paid it again for routes it never calls. Here each compiler hands
 * Fastify a stand-in that compiles the real function on its first call. A started
 * server then compiles the rest in idle time (`warmUp`), one schema per turn of the
 * event loop, so a request never waits behind more than one compilation.
 *
 * A schema that does not compile would now fail on its route's first request
 * instead of at start-up; `compileAll` (used by a test over every route) keeps
 * that from ever shipping.
 */
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';

type Validate = ((data: unknown) => unknown) & { errors?: unknown };
type Serialize = (data: unknown) => string;

export class LazySchemas {
  /** Stand-ins whose real function is not compiled yet, in registration order. */
  private readonly pending = new Set<() => void>();
  private warming = false;

  /** A lazy stand-in for `compile()`'s function; `compile` runs at most once. */
  private lazily<F extends (...args: never[]) => unknown>(compile: () => F): { get: () => F } {
    let compiled: F | undefined;
    const ensure = () => {
      if (compiled) return;
      compiled = compile();
      this.pending.delete(ensure);
    };
    this.pending.add(ensure);
    return {
      get: () => {
        ensure();
        return compiled as F;
      },
    };
  }

  /** For Fastify's `schemaController.compilersFactory.buildValidator`. */
  validatorFactory(compiler: FastifySchemaCompiler<FastifySchema>) {
    return (() => (route: Parameters<typeof compiler>[0]) => {
      const real = this.lazily(() => compiler(route) as Validate);
      // Fastify reads `errors` off the function it called, as Ajv's functions carry them.
      const validate: Validate = (data) => {
        const fn = real.get();
        const result = fn(data);
        validate.errors = fn.errors;
        return result;
      };
      return validate;
    }) as never;
  }

  /** For Fastify's `schemaController.compilersFactory.buildSerializer`: Fastify's own compiler, lazily. */
  serializerFactory() {
    const selector = SerializerSelector();
    return ((externalSchemas: unknown, options: unknown) => {
      const compile = selector(externalSchemas as never, options as never);
      return (route: Parameters<typeof compile>[0]) => {
        const real = this.lazily(() => compile(route) as Serialize);
        return (data: unknown) => real.get()(data);
      };
    }) as never;
  }

  /** How many schemas are still to be compiled. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Compiles every schema now (throws the first schema's error). */
  compileAll(): void {
    for (const ensure of [...this.pending]) ensure();
  }

  /** Compiles the rest in idle time, one schema per event-loop turn; resolves when none is left. */
  warmUp(onError: (error: unknown) => void): Promise<void> {
    if (this.warming) return Promise.resolve();
    this.warming = true;
    return new Promise((resolve) => {
      const next = () => {
        const [ensure] = this.pending;
        if (!ensure) {
          this.warming = false;
          resolve();
          return;
        }
        try {
          ensure();
        } catch (error) {
          // Left pending: its route answers the error on first use, and the log says which.
          this.pending.delete(ensure);
          onError(error);
        }
        setImmediate(next);
      };
      setImmediate(next);
    });
  }
}
