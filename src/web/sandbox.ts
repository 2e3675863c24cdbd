import type { ApolloServerPlugin } from '@apollo/server';
import type { Config } from '../config';
import { developmentToken } from './dev-token';

const FIRST_DOCUMENT = `query Me {
  me { id email accountRole organization { id name } }
}
`;

function scriptJson(value: unknown): string {
  // Keeps `</script>` and friends out of the inline script.
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * The development landing page: Apollo Sandbox (from Apollo's CDN) with the endpoint, the
 * subscription endpoint and a fresh development token as its initial headers. Offline, the page
 * points to /explorer, which is served from the gateway's own files.
 */
export function sandboxLandingPage(config: Config): ApolloServerPlugin {
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return {
            async html() {
              const token = await developmentToken(config);
              const options = {
                target: '#embeddableSandbox',
                initialState: {
                  document: FIRST_DOCUMENT,
                  headers: token ? { Authorization: `Bearer ${token}` } : {},
                  sharedHeaders: token ? { Authorization: `Bearer ${token}` } : {},
                  includeCookies: false,
                },
                hideCookieToggle: false,
                endpointIsEditable: false,
                runTelemetry: false,
                allowDynamicStyles: false,
              };
              const explorerLink = config.explorer ? ' Use the <a href="/explorer">offline explorer</a> instead.' : '';
              return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Consortium governance gateway</title>
<style>body{margin:0;font-family:sans-serif} #embeddableSandbox{width:100vw;height:100vh;position:absolute;top:0} iframe{border:none;width:100%;height:100%;background:white} .fallback{padding:2em}</style>
</head>
<body>
<div class="fallback"><h1>Consortium governance gateway</h1><p>Apollo Sandbox cannot be loaded; it appears that you might be offline.${explorerLink}</p></div>
<div id="embeddableSandbox"></div>
<script src="https://embeddable-sandbox.cdn.apollographql.com/_latest/embeddable-sandbox.umd.production.min.js"></script>
<script id="sandbox-options" type="application/json">${scriptJson(options)}</script>
<script>
  var endpoint = window.location.origin + window.location.pathname;
  var options = JSON.parse(document.getElementById('sandbox-options').textContent);
  options.initialEndpoint = endpoint;
  options.initialSubscriptionEndpoint = endpoint.replace(/^http/, 'ws');
  if (window.EmbeddedSandbox) new window.EmbeddedSandbox(options);
</script>
</body>
</html>`;
            },
          };
        },
      };
    },
  };
}
