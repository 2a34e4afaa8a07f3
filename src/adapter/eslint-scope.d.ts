// The part of eslint-scope's API that independence.ts uses (the package ships no types).
declare module 'eslint-scope' {
  export interface Definition {
    type: 'CatchClause' | 'ClassName' | 'FunctionName' | 'ImplicitGlobalVariable' | 'ImportBinding' | 'Parameter' | 'TDZ' | 'Variable';
    name: unknown;
    node: unknown;
    parent: unknown;
  }
  export interface Variable {
    name: string;
    scope: Scope;
    defs: Definition[];
    references: Reference[];
  }
  export interface Reference {
    identifier: unknown;
    from: Scope;
    resolved: Variable | null;
    init?: boolean;
    isWrite(): boolean;
    isRead(): boolean;
  }
  export interface Scope {
    type: string;
    block: unknown;
    variables: Variable[];
    references: Reference[];
    childScopes: Scope[];
    upper: Scope | null;
  }
  export interface ScopeManager {
    scopes: Scope[];
    globalScope: Scope | null;
    acquire(node: unknown, inner?: boolean): Scope | null;
  }
  export function analyze(
    ast: unknown,
    options?: {
      ecmaVersion?: number;
      sourceType?: 'module' | 'script' | 'commonjs';
      nodejsScope?: boolean;
      fallback?: 'iteration' | ((node: unknown) => string[]);
    },
  ): ScopeManager;
}
