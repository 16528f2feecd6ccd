export { main, createProgram } from './main';
export { schemaCommand, schemaText, type SchemaOptions, type Output } from './commands/schema';
export { loadModule, resolveModuleFile, type LoadedModule } from './load-module';
export { CliError } from './cli-error';
