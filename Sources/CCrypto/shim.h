// OpenSSL's libcrypto, for HMAC-SHA256 webhook signatures: the library libcurl (and so
// FoundationNetworking's HTTPS) already loads, at no build cost.
#include <openssl/evp.h>
#include <openssl/hmac.h>
