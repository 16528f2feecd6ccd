export * from './ast';
export { parseRql } from './parse';
export { encodeRqlText, encodeRqlValue, formatRql, formatRqlCondition, formatRqlProperty, rqlValue } from './format';
export { RqlSyntaxError } from './rql-error';
