// baseline-http: a bare Express app returning a small JSON body, on the same Node and machine as
// the API, so catalog-hot can be reported as a ratio of what this machine serves at all.
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.get('/', (_req, res) => {
  res.json({ status: 'ok', service: 'baseline', items: [1, 2, 3] });
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') console.log(JSON.stringify({ port: address.port }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
