import { defineConfig } from 'wxt';

export default defineConfig({
  modules: ['@wxt-dev/webextension-polyfill'],
  manifest: {
    name: 'MailPing',
    description: 'Verify email addresses where you type them, through your own MailPing daemon.',
    permissions: ['storage'],
  },
});
