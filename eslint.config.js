// Lint in the js-libp2p family's style: neostandard (standard's rules, for ESLint 9's flat config).
import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'src/wire/swim.ts']
  }),
  {
    rules: {
      // `void promise` marks a deliberate fire-and-forget whose errors are handled inside it.
      'no-void': 'off',
    }
  },
  {
    files: ['**/*.ts'],
    rules: {
      // One style across the layers, as the js-libp2p services write it: TypeScript `private`
      // members (not `#private` fields) and arrow parameters in parentheses.
      'no-restricted-syntax': ['error', { selector: 'PrivateIdentifier', message: 'Use a TypeScript `private` member, not a `#private` field' }],
      '@stylistic/arrow-parens': ['error', 'always'],
      // A stream is drained with `for await (const _ of stream) { /* drain */ }`.
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none', caughtErrors: 'none', ignoreRestSiblings: true, vars: 'all', varsIgnorePattern: '^_' }]
    }
  },
  {
    // prom-client's metrics register themselves with the registry their constructor is given.
    files: ['src/daemon/metrics.ts'],
    rules: { 'no-new': 'off' }
  },
  {
    // The page runs in the browser.
    files: ['src/daemon/page/**/*.js'],
    languageOptions: { globals: { location: 'readonly', history: 'readonly', requestAnimationFrame: 'readonly', Element: 'readonly', getSelection: 'readonly' } }
  }
]
