// Deny by default, checked on the schema itself: every root field names its shield rule, the
// sensitive object fields do too, no secret is ever a field, and a field without a rule is refused.
import { graphql, isInputObjectType, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import { Field, ObjectType, Query, Resolver, buildSchema } from 'type-graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyAuthorization, buildBareSchema, ruleTree } from '../../src/graphql/schema';
import type { RuleMap } from '../../src/graphql/module';
import { MODULES } from '../../src/modules';

const ROOT_TYPES = ['Query', 'Mutation', 'Subscription'] as const;

/**
 * Object fields that reach data the caller may not see through every path that leads to them:
 * another organization's private data, or a consortium's memberships reached from outside it.
 */
const SENSITIVE_FIELDS = [
  'Organization.billing',
  'Organization.users',
  'Organization.licenses',
  'Consortium.memberships',
  'Membership.consortium',
  'Membership.invitedBy',
];

/** Organization fields anyone who meets an organization (e.g. as a fellow member) may read. */
const PUBLIC_ORGANIZATION_FIELDS = new Set(['id', 'name', 'plan', 'createdAt']);

/** No field, output or input, may carry key material or secrets. */
const SECRET_NAME = /private_?key|secret|password/i;

let schema: GraphQLSchema;
let tree: RuleMap;
beforeAll(async () => {
  schema = await buildBareSchema();
  tree = ruleTree();
});

const hasRule = (type: string, field: string) => Boolean(tree[type]?.[field]);

describe('shield coverage', () => {
  it('names a rule for every Query, Mutation and Subscription field', () => {
    const missing: string[] = [];
    let fields = 0;
    for (const name of ROOT_TYPES) {
      const type = schema.getType(name);
      if (!isObjectType(type)) continue;
      for (const field of Object.keys(type.getFields())) {
        fields++;
        if (!hasRule(name, field)) missing.push(`${name}.${field}`);
      }
    }
    expect(fields).toBeGreaterThan(10);
    expect(missing, 'root fields without a shield rule (fallback would deny them)').toEqual([]);
  });

  it('has exactly one rule per field: a field named by two modules stops the rule tree from being built', () => {
    const [first] = MODULES;
    const [type, fields] = Object.entries(first.rules)[0];
    const [field, rule] = Object.entries(fields)[0];
    const twice = { ...first, name: 'second', rules: { [type]: { [field]: rule } } };
    expect(() => ruleTree([...MODULES, twice])).toThrow(`Shield rule for ${type}.${field} is defined twice (module second)`);
  });

  it('names no rule for a field the schema does not have (a stale or misspelt entry guards nothing)', () => {
    const stale: string[] = [];
    for (const [type, fields] of Object.entries(tree)) {
      const graphqlType = schema.getType(type);
      for (const field of Object.keys(fields)) {
        if (!isObjectType(graphqlType) || !graphqlType.getFields()[field]) stale.push(`${type}.${field}`);
      }
    }
    expect(stale).toEqual([]);
  });

  it('guards every sensitive object field', () => {
    const absent = SENSITIVE_FIELDS.filter((f) => {
      const [type, field] = f.split('.');
      const t = schema.getType(type);
      return !isObjectType(t) || !t.getFields()[field];
    });
    expect(absent, 'listed sensitive fields that no longer exist: update the list').toEqual([]);
    expect(SENSITIVE_FIELDS.filter((f) => !hasRule(...(f.split('.') as [string, string])))).toEqual([]);
  });

  it('guards every Organization field beyond id, name, plan and createdAt (a membership shows other organizations)', () => {
    const organization = schema.getType('Organization');
    if (!isObjectType(organization)) throw new Error('Organization type missing');
    const unguarded = Object.keys(organization.getFields()).filter((f) => !PUBLIC_ORGANIZATION_FIELDS.has(f) && !hasRule('Organization', f));
    expect(unguarded).toEqual([]);
  });

  it('exposes no private key or secret anywhere in the schema', () => {
    const found: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.keys(type.getFields())) {
          if (SECRET_NAME.test(field)) found.push(`${type.name}.${field}`);
        }
      }
    }
    expect(found).toEqual([]);
  });
});

@ObjectType('ShieldProbeResult')
class ProbeResult {
  @Field(() => String)
  value!: string;
}

let probeCalls = 0;

/** A root field that no module names a rule for. */
@Resolver()
class UnlistedProbeResolver {
  @Query(() => ProbeResult)
  unlistedShieldProbe(): ProbeResult {
    probeCalls++;
    return { value: 'leaked' };
  }
}

describe('fallback', () => {
  it('denies a root field that has no rule, without running its resolver', async () => {
    // The gateway's own resolvers plus the probe: shield insists that every type of the rule tree exists.
    const resolvers: [Function, ...Function[]] = [UnlistedProbeResolver, ...MODULES.flatMap((m) => m.resolvers)];
    const unusedPubSub = { publish: () => undefined, subscribe: () => (async function* () {})() };
    const probeSchema = applyAuthorization(await buildSchema({ resolvers, validate: false, pubSub: unusedPubSub }));
    const result = await graphql({ schema: probeSchema, source: '{ unlistedShieldProbe { value } }', contextValue: {} });
    expect(result.data).toBeNull();
    expect(result.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(probeCalls).toBe(0);
  });
});
