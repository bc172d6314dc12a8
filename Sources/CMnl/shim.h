#ifndef CNI_MNL_SHIM_H
#define CNI_MNL_SHIM_H
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
#include <net/if.h>
#include <linux/sched.h>

/* Macros that Swift cannot import. */
static inline size_t cni_mnl_socket_buffer_size(void) { return MNL_SOCKET_BUFFER_SIZE; }
static inline size_t cni_mnl_nlmsg_hdrlen(void) { return MNL_NLMSG_HDRLEN; }
#endif
