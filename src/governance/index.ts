// The policy core's public surface: import from 'src/governance', not from its files.
export * from './roles';
export * from './grid';
export * from './decision';
export * from './policy';
export * from './permissions-doc';
export * from './visibility';
export * from './administration';
export * from './chain-account';
export * from './node-size';
export * from './voting-policy';
export * from './proposal';
export * from './service-account';
