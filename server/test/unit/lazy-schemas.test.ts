import { describe, expect, it } from 'vitest';
import { LazySchemas } from '../../src/http/lazy-schemas.js';

type Route = { schema: unknown; httpPart?: string };
const broken = () => {
  throw new Error('schema is broken');
};

function validatorFor(schemas: LazySchemas, compile: (route: Route) => unknown) {
  const factory = schemas.validatorFactory(compile as never) as unknown as () => (route: Route) => (data: unknown) => unknown;
  return factory()({ schema: {} });
}

describe('LazySchemas', () => {
  it('compiles a validator once, on its first call, and passes its errors on', () => {
    const schemas = new LazySchemas();
    let compiled = 0;
    const validate = validatorFor(schemas, () => {
      compiled++;
      const fn = (data: unknown) => {
        fn.errors = data === 1 ? null : [{ message: 'not one' }];
        return data === 1;
      };
      fn.errors = null as unknown;
      return fn;
    }) as ((data: unknown) => unknown) & { errors?: unknown };
    expect(compiled).toBe(0);
    expect(schemas.pendingCount).toBe(1);
    expect(validate(2)).toBe(false);
    expect(validate.errors).toEqual([{ message: 'not one' }]);
    expect(validate(1)).toBe(true);
    expect(validate.errors).toBeNull();
    expect(compiled).toBe(1);
    expect(schemas.pendingCount).toBe(0);
  });

  it('reports a schema that does not compile: compileAll throws, warmUp tells and goes on', async () => {
    const schemas = new LazySchemas();
    validatorFor(schemas, broken);
    let good = 0;
    validatorFor(schemas, () => {
      good++;
      return () => true;
    });
    expect(() => schemas.compileAll()).toThrow('schema is broken');
    const again = new LazySchemas();
    validatorFor(again, broken);
    validatorFor(again, () => () => true);
    const errors: unknown[] = [];
    await again.warmUp((error) => errors.push(error));
    expect(errors).toHaveLength(1);
    expect(again.pendingCount).toBe(0);
    expect(good).toBe(0);
  });
});
