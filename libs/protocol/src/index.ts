import 'reflect-metadata';

export * from './events';
export * from './validate';
export * from './compiled-validator';
export * from './durations';
export * from './timeline';
export * from './dto/payload-limits';
export * from './dto/peer.dto';
export * from './dto/login.dto';
export * from './dto/access.dto';
export * from './dto/stamp';
export * from './dto/message.dto';
export * from './dto/timeline.dto';
export * from './dto/neck.dto';
export * from './dto/health.dto';
export * from './firmware';
export * from './directives';
export * from './motion-commands';
