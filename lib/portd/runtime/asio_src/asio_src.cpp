// The one translation unit that compiles Asio, Asio.SSL and Beast (separate compilation):
// every other file includes their headers only, which keeps builds fast on two cores.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
