import CNI
import Glibc
import HostLocalPlugin

exit(Skel.run(HostLocalPlugin()))
