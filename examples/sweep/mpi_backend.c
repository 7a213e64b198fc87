/* The Open MPI backend of bimt_sweep (see mpi_backend.h). */
#include <stdlib.h>

#include "mpi_backend.h"

int smpi_launched(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (getenv(vars[i])) return 1;
    return 0;
}

#ifdef BIMT_SWEEP_MPI
#include <mpi.h>

enum { TAG_REQUEST = 1, TAG_INDEX = 2 };

int smpi_built(void)
{
    return 1;
}

int smpi_init(int *argc, char ***argv, int *rank, int *size, int *local_size)
{
    if (MPI_Init(argc, argv) != MPI_SUCCESS) return -1;
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    MPI_Comm local;
    *local_size = 1;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, *rank, MPI_INFO_NULL, &local) ==
        MPI_SUCCESS) {
        MPI_Comm_size(local, local_size);
        MPI_Comm_free(&local);
    }
    return 0;
}

void smpi_finalize(void)
{
    MPI_Finalize();
}

void smpi_bcast_int(int *v)
{
    MPI_Bcast(v, 1, MPI_INT, 0, MPI_COMM_WORLD);
}

int smpi_poll(int *source, long *done, int *stopping)
{
    int flag = 0;
    MPI_Status st;
    MPI_Iprobe(MPI_ANY_SOURCE, TAG_REQUEST, MPI_COMM_WORLD, &flag, &st);
    if (!flag) return 0;
    long msg[2];
    MPI_Recv(msg, 2, MPI_LONG, st.MPI_SOURCE, TAG_REQUEST, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    *source = st.MPI_SOURCE;
    *done = msg[0];
    *stopping = msg[1] != 0;
    return 1;
}

void smpi_reply(int dest, long index)
{
    MPI_Send(&index, 1, MPI_LONG, dest, TAG_INDEX, MPI_COMM_WORLD);
}

long smpi_request(long done, int stopping)
{
    long msg[2] = {done, stopping ? 1 : 0}, index = -1;
    MPI_Send(msg, 2, MPI_LONG, 0, TAG_REQUEST, MPI_COMM_WORLD);
    if (stopping) return -1;
    MPI_Recv(&index, 1, MPI_LONG, 0, TAG_INDEX, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    return index;
}

#else /* no MPI in this build */

int smpi_built(void)
{
    return 0;
}
int smpi_init(int *argc, char ***argv, int *rank, int *size, int *local_size)
{
    (void)argc;
    (void)argv;
    *rank = 0;
    *size = *local_size = 1;
    return -1;
}
void smpi_finalize(void) {}
void smpi_bcast_int(int *v)
{
    (void)v;
}
int smpi_poll(int *source, long *done, int *stopping)
{
    (void)source;
    (void)done;
    (void)stopping;
    return 0;
}
void smpi_reply(int dest, long index)
{
    (void)dest;
    (void)index;
}
long smpi_request(long done, int stopping)
{
    (void)done;
    (void)stopping;
    return -1;
}

#endif
