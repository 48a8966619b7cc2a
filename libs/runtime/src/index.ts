export * from './shutdown';
export * from './version';
export * from './flags';
