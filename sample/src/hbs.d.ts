/** The one function of `hbs` (Express's Handlebars views) the sample calls; it ships no types. */
declare module 'hbs' {
  const hbs: { registerHelper(name: string, helper: (...args: never[]) => unknown): void };
  export default hbs;
}
