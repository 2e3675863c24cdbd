// Plain fields of object types are read straight from their objects: no type-graphql wrapper per
// field (authorization lives in shield, never in type-graphql middlewares), which also lets
// compiled execution read them inline instead of calling a resolver for each of them.
import { isObjectType } from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GraphQLSchema } from 'graphql';
import { buildBareSchema } from '../../src/graphql/schema';

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildBareSchema();
});

describe('object types', () => {
  it('all declare simpleResolvers', () => {
    const ours = getMetadataStorage().objectTypes.filter((o) => schema.getType(o.name));
    expect(ours.length).toBeGreaterThan(20);
    expect(ours.filter((o) => o.simpleResolvers !== true).map((o) => o.name)).toEqual([]);
  });

  it('leave plain fields without a resolver and keep the field resolvers', () => {
    const membership = schema.getType('Membership');
    if (!isObjectType(membership)) throw new Error('Membership is not an object type');
    const fields = membership.getFields();
    expect(fields.displayName.resolve).toBeUndefined();
    expect(fields.organization.resolve).toBeTypeOf('function');
  });
});
