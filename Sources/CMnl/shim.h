#ifndef CNI_MNL_SHIM_H
#define CNI_MNL_SHIM_H
/* glibc's socket headers first, so <linux/libc-compat.h> skips its duplicate in6_addr/sockaddr_in6
   definitions (otherwise importing Glibc next to CMnl fails with "different definitions"). */
#include <sys/socket.h>
#include <netinet/in.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/if_bridge.h>
#include <linux/neighbour.h>
#include <linux/veth.h>
#include <linux/if_ether.h>
#include <linux/if_arp.h>
/* <net/if.h> is left out: it clashes with <linux/if.h>, which <linux/if_bridge.h> pulls in. */
#include <linux/sched.h>

/* Macros that Swift cannot import. */
static inline size_t cni_mnl_socket_buffer_size(void) { return MNL_SOCKET_BUFFER_SIZE; }
static inline size_t cni_mnl_nlmsg_hdrlen(void) { return MNL_NLMSG_HDRLEN; }
#endif
