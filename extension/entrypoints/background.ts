export default defineBackground(() => {
  // The daemon client lands with the extension issue.
});
