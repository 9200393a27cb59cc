declare module 'hbs' {
  const hbs: { registerHelper(name: string, helper: (...args: unknown[]) => unknown): void };
  export default hbs;
}
