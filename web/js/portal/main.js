// The partner space is one HTML page (portail/index.html) for all its addresses: this loads the part the address
// names; each part's module draws itself. The server sends this page only for these addresses (WebPages.Routes).
const PARTS = [
  [/^\/portail\/?$/, './home.js'],
  [/^\/portail\/nouveau\/?$/, './new.js'],
  [/^\/portail\/cles\/?$/, './keys.js'],
  [/^\/portail\/membres\/?$/, './members.js'],
  [/^\/portail\/compte\/?$/, './account.js'],
  [/^\/portail\/connexion\/?$/, './sign-in.js'],
  [/^\/portail\/invitation\/[^/]+\/?$/, './invitation.js'],
  [/^\/portail\/jeux-de-donnees\/[^/]+\/?$/, './manage.js'],
];

const part = PARTS.find(([address]) => address.test(location.pathname));
await import(part ? part[1] : './home.js');
