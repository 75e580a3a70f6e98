/** The contracts every layer shares (config schema, names, key layouts, defaults), for the package's users. */
export * from '../contracts/config';
export * from '../contracts/constants';
export * from '../contracts/defaults';
export * from '../contracts/object-keys';
export * from '../contracts/archive-keys';
export * from '../contracts/file-manifest';
export * from '../contracts/stack-outputs';
