// Boot: plugins, then the wiring that lets the HTTP layer end a session without importing the router.
import './zodConfig';
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { i18n, applyDocumentLocale } from './i18n';
import { router } from './router';
import { configureHttp } from './api/http';
import { configureLiveSocket } from './composables/liveSocketHooks';
import { useAuthStore } from './stores/auth';
import { useCitiesStore } from './stores/cities';
// Element Plus's CSS variables and reset; each component brings its own sheet via the resolver.
import 'element-plus/theme-chalk/base.css';
import './styles.css';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
app.use(i18n);
app.use(router);

const auth = useAuthStore(pinia);
// A token refused over HTTP or at the socket handshake ends the session the same way.
function endExpiredSession(): void {
  const current = router.currentRoute.value;
  auth.clear('expired');
  useCitiesStore(pinia).reset();
  if (current.name === 'login') return;
  // Come back to the same place after signing in again.
  void router.replace({ name: 'login', query: { redirect: current.fullPath } });
}
configureHttp({ getToken: () => auth.token, onUnauthorized: endExpiredSession });
configureLiveSocket({ onUnauthorized: endExpiredSession });

applyDocumentLocale();
app.mount('#app');
